export { CITY_IDS, isCityId, regionDoc, parseDocName, canRead, canWrite, docsFor } from './access';
export type { CityId, Principal } from './access';
export {
  ORDERS_ROOT,
  DRAFT_FIELDS,
  createOrder,
  act,
  comment,
  editDraft,
  readOrder,
  orderIds,
  snapshot,
  orderRecord,
  importOrder,
  observeOrders,
  restoreOutage,
} from './board';
export type { ActInput, BoardOrder, DraftField, DraftPatch, OrderRecord, SupersededEvent } from './board';
export { checkUpdate } from './guard';
export type { GuardMode, GuardOptions, GuardVerdict } from './guard';
export { RETENTION_ORIGIN, archivedOrders, sweepArchived } from './retention';
export type { ArchivedRecord } from './retention';
export { newOrderId } from './ids';
export {
  CREWS_ROOT,
  STATIONS_ROOT,
  CREW_KINDS,
  CREW_TYPES,
  CrewSchema,
  StationSettingsSchema,
  putCrew,
  setAutoAssign,
  readCrews,
  readStations,
  observeRoster,
  crewLoads,
  crewChoices,
  pickCrew,
  rosterRefusal,
} from './roster';
export type { Crew, CrewChoice, StationSettings } from './roster';
export { FiguresFold, FiguresReportSchema, crewFigures, memberFigures, ratings } from './crew-figures';
export type { CrewFigures, FiguresReport, MemberFigures, Rating } from './crew-figures';
