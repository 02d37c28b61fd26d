/** Own incident: monitoring saw the candidate itself fail. */
import type { Signal } from './types.ts';

export const ownIncident: Signal = (s, { weights }) => {
  const has = !Number.isNaN(s.ownOpenedAt);
  return { signal: 'own_incident', value: has ? 1 : 0, contribution: has ? weights.ownIncident : 0 };
};
