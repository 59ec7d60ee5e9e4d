// Wire constants: y-websocket's message types (so its unmodified client works) and our close codes.
// Close codes 4400-4499 tell y-websocket's client not to reconnect; 4500-4599 mean "try again later".
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

export const CLOSE = {
  malformed: { code: 4400, reason: 'malformed message' },
  unauthorized: { code: 4401, reason: 'missing, invalid or expired token' },
  forbidden: { code: 4403, reason: 'no access to this document' },
  unknownDocument: { code: 4404, reason: 'unknown document' },
  tooBig: { code: 1009, reason: 'message too big' },
  tooManyForUser: { code: 4529, reason: 'too many connections for this user, try again later' },
  shuttingDown: { code: 4503, reason: 'centre shutting down' },
  unavailable: { code: 4504, reason: 'document unavailable for a moment, try again' },
} as const;
