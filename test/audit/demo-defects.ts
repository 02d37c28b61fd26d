/** The demo CMDB's seeded data-quality defects (fixtures/demo/README.md), as the audit reports them. */
/** [rule, subject] of every seeded defect, as README's table lists them. */
export const DEMO_DEFECTS: [string, string][] = [
  ['required-attributes', 'app-edi-gateway'],
  ['required-attributes', 'srv-ftp-legacy-01'],
  ['orphan', 'srv-unknown-0042'],
  ['orphan', 'vm-east-jdoe-test'],
  ['duplicate', 'srv-west-dbrep-2'],
  ['retired-dependency', 'app-edi-gateway|DEPENDS_ON|mq-legacy-ibmmq-01'],
  ['retired-dependency', 'app-etl|DEPENDS_ON|db-dwh-legacy'],
  ['dependency-cycle', 'app-inventory'],
  ['certificate-expiry', 'cert-partner-edi'],
  ['single-point-of-failure', 'srv-db-01'],
];
