import { HttpException } from '@nestjs/common';
import { HOME_DIVISION } from '@herald/contracts';
import { callerAuthorizationHeaders } from './caller';

/** A grant of every division, present and future (the bootstrap admin's). */
export const ALL_DIVISIONS = '*';

/** A division a request may not use, with a Genesys-style code (libs/service's filter writes the body). */
export class DivisionError extends HttpException {
  constructor(
    status: 400 | 403 | 503,
    readonly code: string,
    message: string,
  ) {
    super({ code, message }, status);
  }

  /** The same answer whether the division exists or not: a client learns nothing of other tenants. */
  static notGranted(id: string): DivisionError {
    return new DivisionError(403, 'division.not.granted', `division ${id} is not one of the divisions this client is granted`);
  }

  static unknown(id: string): DivisionError {
    return new DivisionError(400, 'division.not.found', `division ${id} does not exist`);
  }

  static required(granted: number): DivisionError {
    return granted === 0
      ? new DivisionError(403, 'division.not.granted', 'this client is granted no division: it cannot create anything')
      : new DivisionError(400, 'division.required', 'this client is granted several divisions but not the home division: name one in division.id');
  }

  static unavailable(reason: string): DivisionError {
    return new DivisionError(503, 'dependency.unavailable', `the division could not be checked: ${reason}`);
  }
}

/** Whether a division exists: asked only for callers granted every division (an explicit grant names an existing one). */
export interface DivisionDirectory {
  exists(id: string): Promise<boolean>;
}

/**
 * The edge's `GET /api/v2/authorization/divisions/{id}`, with the caller's own token; a yes is
 * kept for a minute (a division is rarely deleted, and never while it holds resources).
 */
export class RemoteDivisionDirectory implements DivisionDirectory {
  private readonly known = new Map<string, number>();

  constructor(private readonly divisionsUrl: string) {}

  async exists(id: string): Promise<boolean> {
    if ((this.known.get(id) ?? 0) > Date.now()) return true;
    let res: Response;
    try {
      res = await fetch(`${this.divisionsUrl}/${encodeURIComponent(id)}`, { headers: callerAuthorizationHeaders(), signal: AbortSignal.timeout(5_000) });
    } catch (e) {
      throw DivisionError.unavailable((e as Error).message);
    }
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (!res.ok) throw DivisionError.unavailable(`the edge answered ${res.status}`);
    this.known.set(id, Date.now() + 60_000);
    return true;
  }
}

/**
 * The divisions a request's caller may see and write, from its token's `herald_divisions` claim
 * (a list of division ids, or `*` for all). Handlers get it with `@CallerDivisions()`; every
 * service reads, lists and writes through it, so that a resource of another division is absent
 * for this caller (404), and a new one lands only in a division the caller holds.
 */
export class Divisions {
  private readonly ids: ReadonlySet<string>;

  constructor(
    readonly granted: readonly string[],
    private readonly directory?: DivisionDirectory,
  ) {
    this.ids = new Set(granted);
  }

  /** Granted every division. */
  get all(): boolean {
    return this.ids.has(ALL_DIVISIONS);
  }

  /** Whether a resource of this division is visible to the caller. */
  has(id: string): boolean {
    return this.all || this.ids.has(id);
  }

  /**
   * The divisions a listing shows: the caller's, narrowed by a `divisionId` query filter if there
   * is one (ids not granted match nothing). Undefined means every division (no condition at all).
   */
  visible(filter?: string | string[]): string[] | undefined {
    const wanted = filter === undefined ? undefined : (Array.isArray(filter) ? filter : [filter]).flatMap((f) => f.split(',')).filter(Boolean);
    if (wanted?.length) return wanted.filter((id) => this.has(id));
    return this.all ? undefined : [...this.ids];
  }

  /**
   * The division a resource is written into. `requested` (the body's `division.id`) must be
   * granted (403 otherwise, whether or not it exists) and exist; absent, an update keeps
   * `current` and a create takes the home division if granted, else the caller's only division,
   * else it is refused with 400 asking for one.
   */
  async target(requested: string | undefined, current?: string): Promise<string> {
    if (requested === undefined || requested === current) return current ?? this.default();
    if (!this.has(requested)) throw DivisionError.notGranted(requested);
    // An explicit grant names a division that existed when it was granted; `*` names none.
    if (!this.ids.has(requested) && requested !== HOME_DIVISION && this.directory && !(await this.directory.exists(requested))) {
      throw DivisionError.unknown(requested);
    }
    return requested;
  }

  private default(): string {
    if (this.has(HOME_DIVISION)) return HOME_DIVISION;
    if (this.ids.size === 1) return [...this.ids][0]!;
    throw DivisionError.required(this.ids.size);
  }
}

/** A resource's `division` in the API (Genesys `Division` reference). */
export function divisionRef(id: string): { id: string; selfUri: string } {
  return { id, selfUri: `/api/v2/authorization/divisions/${id}` };
}
