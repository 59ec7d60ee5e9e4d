// @twinline/demo-data: Fujian's cities and counties and the stations behind the hotline (safe for the console's
// bundle). Generated people and orders have their own entries: `@twinline/demo-data/people` (crews, demo accounts),
// `@twinline/demo-data/orders` (realistic work orders) and `@twinline/demo-data/customers` (the customer directory).
export * from './fujian';
export * from './org';
