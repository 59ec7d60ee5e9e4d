// Where an order is, for checking where a crew says it is. Demo coordinates: the customer's location when the order
// names a customer the centre's directory knows (and has a location for), else the seat of the order's county.
import { countyById } from '@twinline/demo-data';
import type { OrderDraft } from '@twinline/workorder';
import type { CustomerDirectory } from '../storage';

export interface Place {
  lat: number;
  lng: number;
  source: 'customer' | 'county';
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine; good to well under 0.5% at these distances). */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** "850 米 / 850 m" below a kilometre, "5.2 公里 / 5.2 km" above. */
export function distanceWords(m: number): { zh: string; en: string } {
  if (m < 1000) return { zh: `${Math.round(m)} 米`, en: `${Math.round(m)} m` };
  const km = m < 100_000 ? (m / 1000).toFixed(1) : String(Math.round(m / 1000));
  return { zh: `${km} 公里`, en: `${km} km` };
}

/** The order's place, or undefined when neither its customer nor its county has coordinates. */
export async function placeOf(
  draft: Pick<OrderDraft, 'customerAccount' | 'region'>,
  directory: CustomerDirectory,
): Promise<Place | undefined> {
  if (draft.customerAccount) {
    const customer = await directory.byAccount(draft.customerAccount).catch(() => null);
    if (customer?.location && customer.region.city === draft.region.city)
      return { lat: customer.location.lat, lng: customer.location.lng, source: 'customer' };
  }
  try {
    const county = countyById(draft.region.city, draft.region.county);
    return { lat: county.lat, lng: county.lng, source: 'county' };
  } catch {
    return undefined;
  }
}
