// @twinline/customers: the customer directory's record (zod), phone-number normalisation and the CSV column contract.
// Runs anywhere (centre, console host, renderer): no Node built-ins.
export * from './phone';
export * from './schema';
export * from './csv';
export * from './rows';
