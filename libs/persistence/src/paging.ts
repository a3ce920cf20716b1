import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** Genesys paging: `pageSize` 1–100 (default 25), `pageNumber` from 1. */
export interface Page {
  pageSize: number;
  pageNumber: number;
}

/** Reads `pageSize`/`pageNumber` query values (numbers or strings), clamped to what the API allows. */
export function pageOf(query: { pageSize?: number | string; pageNumber?: number | string }): Page {
  return {
    pageSize: Math.min(Math.max(Number(query.pageSize) || 25, 1), 100),
    pageNumber: Math.max(Number(query.pageNumber) || 1, 1),
  };
}

/** A Genesys entity listing. */
export interface Listing<R> {
  entities: R[];
  pageSize: number;
  pageNumber: number;
  total: number;
  pageCount: number;
}

export function listing<R>(entities: R[], page: Page, total: number): Listing<R> {
  return { entities, pageSize: page.pageSize, pageNumber: page.pageNumber, total, pageCount: Math.ceil(total / page.pageSize) };
}

/** One page of a query as a listing; `toResources` turns the page's rows into resources. */
export async function listingOf<E extends ObjectLiteral, R>(qb: SelectQueryBuilder<E>, page: Page, toResources: (rows: E[]) => R[] | Promise<R[]>): Promise<Listing<R>> {
  const [rows, total] = await qb.skip((page.pageNumber - 1) * page.pageSize).take(page.pageSize).getManyAndCount();
  return listing(await toResources(rows), page, total);
}
