export const DISPATCH_SETTINGS = Symbol('DISPATCH_SETTINGS');

export interface DispatchSettings {
  tickMs: number;
  maxBatch: number;
}
