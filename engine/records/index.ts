/** The record layer's public surface (see records.ts). */
export { formatId, PAGE, recordOf, Records, SEQUENCE_KIND, viewOf, type LoadOptions, type Page, type RecordHost } from './records.ts';
