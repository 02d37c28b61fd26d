// cytoscape-svg ships no types: it is a cytoscape extension registered with `cytoscape.use`.
declare module 'cytoscape-svg' {
  const ext: cytoscape.Ext;
  export default ext;
}
