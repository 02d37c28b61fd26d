/** What a view gets from the shell: the session, its root element, the URL state and navigation. */
import type { Session } from './session.ts';

export interface ViewContext {
  session: Session;
  root: HTMLElement;
  /** Path segments after the view name, e.g. ['CHG-000001'] for /changes/CHG-000001. */
  rest: string[];
  params: URLSearchParams;
  /** Puts view state in the URL without a new history entry (filters, selection). */
  replaceParams(p: URLSearchParams): void;
  navigate(url: string): void;
  /** Called when the view is left (destroy canvases, timers). */
  onLeave(fn: () => void): void;
}
