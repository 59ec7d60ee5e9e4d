// Mass outages: which places an outage covers, and whether it is still on. One rule for the console's screen-pop,
// the merge of new orders under an outage and the centre's counts.
import type { OrderState, OrderType, OutageArea } from './model';

/** A place as the customer directory or an order knows it. */
export interface Place {
  /** The city; an outage covers places of its own order's city only. */
  city: string;
  county: string;
  address: string;
  /** The customer's service point (台区), when known. */
  servicePoint?: string;
}

/**
 * Whether an area of `city` (an outage's, a crew's) covers this place: the same city, and the place's county is one
 * of the area's, or its service point is listed, or its address names one of the area's streets.
 */
export function areaCovers(
  city: string,
  area: Pick<OutageArea, 'counties' | 'streets'> & { servicePoints?: readonly string[] },
  place: Place,
): boolean {
  if (place.city !== city) return false;
  if (area.counties.includes(place.county)) return true;
  if (place.servicePoint !== undefined && area.servicePoints?.includes(place.servicePoint)) return true;
  return area.streets.some((street) => place.address.includes(street));
}

/** An outage order still on (declared, not yet restored). */
export function isActiveOutage(order: { type: OrderType | string; state: OrderState | string }): boolean {
  return order.type === 'outage' && order.state !== 'archived' && order.state !== 'merged';
}
