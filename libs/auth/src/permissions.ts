/**
 * Genesys-style permissions: `domain:entity:action` (e.g. `outbound:contactList:add`), any part
 * of which may be `*` in what a client is granted (`outbound:*:*`, `*:*:*`).
 */
export const PERMISSION_PATTERN = /^([A-Za-z][A-Za-z0-9]*|\*):([A-Za-z][A-Za-z0-9]*|\*):([A-Za-z][A-Za-z0-9]*|\*)$/;

/** Whether the granted permission (wildcards allowed) covers the other (itself possibly a wildcard). */
export function covers(granted: string, wanted: string): boolean {
  const g = granted.split(':');
  const w = wanted.split(':');
  return g.length === 3 && w.length === 3 && g.every((part, i) => part === '*' || part === w[i]);
}

/** Whether any of the granted permissions covers `wanted`. */
export function hasPermission(granted: readonly string[], wanted: string): boolean {
  return granted.some((g) => covers(g, wanted));
}

/** The wanted permissions none of the granted ones covers. */
export function missingPermissions(granted: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((w) => !hasPermission(granted, w));
}

/**
 * What a campaign's pre-launch preview needs: at campaigns, and at each stage's internal endpoint
 * (audience, DNC check, render) that the preview calls with the caller's token.
 */
export const PREVIEW_PERMISSION = 'outbound:messagingCampaign:view';
