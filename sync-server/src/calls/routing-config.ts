// Which routing configuration a centre runs: a JSON file (--routing-config), else for a demo centre (fuzhou or
// xiamen) the demo configuration built from the demo accounts, else none (the centre routes no calls).
import { readFileSync } from 'node:fs';
import { parseRoutingConfig } from '@twinline/routing';
import type { RoutingConfig } from '@twinline/routing';
import { demoRoutingConfig } from '@twinline/routing/testkit';
import { CENTRES } from '@twinline/demo-data';
import type { CentreId } from '@twinline/demo-data';

/** Reads and validates a routing configuration file; the error names the file and every bad field. */
export function loadRoutingConfig(file: string): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`routing configuration ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseRoutingConfig(text);
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const isDemoCentre = (name: string): name is CentreId => (CENTRES as readonly string[]).includes(name);

/** The configuration centre `name` routes with, or null; throws when a given one is for another centre. */
export function routingFor(o: { centre: string; demo: boolean; routing?: RoutingConfig }): RoutingConfig | null {
  if (o.routing) {
    if (o.routing.centre !== o.centre)
      throw new Error(`the routing configuration is for centre ${o.routing.centre}, not ${o.centre}`);
    return o.routing;
  }
  return o.demo && isDemoCentre(o.centre) ? demoRoutingConfig(o.centre) : null;
}
