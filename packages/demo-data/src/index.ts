// @twinline/demo-data: Fujian's cities and counties, the stations, crews and demo accounts behind the hotline, and
// deterministic realistic work orders for demos and tests.
export * from './fujian';
export * from './org';
export * from './orders';
