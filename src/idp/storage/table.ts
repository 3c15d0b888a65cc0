/**
 * One table of JSON documents with indexed columns, the same code over SQLite and PostgreSQL. A table
 * spec names the columns and how each is taken from the document; lookups go through those columns only.
 */
import type { Kysely } from 'kysely';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export type ColumnValue = string | number | null;

export interface TableSpec<T> {
  name: string;
  /** Indexed columns (besides id and body) and how each is derived from the document. */
  columns: Record<string, (doc: T) => ColumnValue>;
}

/** Raised when a unique column already holds the value; `constraint` names the column or constraint. */
export class DuplicateError extends GatehouseError {
  constructor(readonly table: string, readonly constraint: string) {
    super(ErrorCode.IDP_DUPLICATE, `duplicate value for ${table}.${constraint}`);
  }
}

function uniqueViolation(error: unknown): string | undefined {
  const e = error as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505') return e.constraint ?? 'unique';
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(e.code)) {
    return /UNIQUE constraint failed: (.*)$/.exec(e.message ?? '')?.[1] ?? 'unique';
  }
  return undefined;
}

export type Where = Record<string, ColumnValue>;

export class DocumentTable<T extends { id: string }> {
  constructor(
    private readonly db: Kysely<any>,
    readonly spec: TableSpec<T>,
  ) {}

  private row(doc: T): Record<string, ColumnValue> {
    const row: Record<string, ColumnValue> = { id: doc.id, body: JSON.stringify(doc) };
    for (const [column, take] of Object.entries(this.spec.columns)) row[column] = take(doc);
    return row;
  }

  private where(where: Where) {
    let query = this.db.selectFrom(this.spec.name).select('body');
    for (const [column, value] of Object.entries(where)) {
      query = value === null ? query.where(column, 'is', null) : query.where(column, '=', value);
    }
    return query;
  }

  private wrap(error: unknown): never {
    const constraint = uniqueViolation(error);
    if (constraint !== undefined) throw new DuplicateError(this.spec.name, constraint);
    throw error;
  }

  async get(id: string): Promise<T | undefined> {
    return this.findOne({ id });
  }

  async findOne(where: Where): Promise<T | undefined> {
    const row = (await this.where(where).limit(1).executeTakeFirst()) as { body: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.body) as T);
  }

  async find(where: Where = {}): Promise<T[]> {
    const rows = (await this.where(where).orderBy('insert_instant').orderBy('id').execute()) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  async count(where: Where = {}): Promise<number> {
    let query = this.db.selectFrom(this.spec.name).select((eb) => eb.fn.countAll().as('n'));
    for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
    const row = (await query.executeTakeFirst()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async insert(doc: T): Promise<void> {
    try {
      await this.db.insertInto(this.spec.name).values(this.row(doc)).execute();
    } catch (error) {
      this.wrap(error);
    }
  }

  /** Replaces the stored document; false when no row has its id. */
  async update(doc: T, extraWhere: Where = {}): Promise<boolean> {
    try {
      let query = this.db.updateTable(this.spec.name).set(this.row(doc)).where('id', '=', doc.id);
      for (const [column, value] of Object.entries(extraWhere)) query = query.where(column, '=', value);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    } catch (error) {
      return this.wrap(error);
    }
  }

  /**
   * Replaces `previous` with `next` only if the stored document is still exactly `previous`: a write that
   * must not undo a concurrent change (a login's lastLoginInstant against a password change).
   */
  async updateIfUnchanged(previous: T, next: T): Promise<boolean> {
    return this.update(next, { body: JSON.stringify(previous) });
  }

  async delete(id: string): Promise<boolean> {
    return (await this.deleteWhere({ id })) > 0;
  }

  async deleteWhere(where: Where): Promise<number> {
    let query = this.db.deleteFrom(this.spec.name);
    for (const [column, value] of Object.entries(where)) query = query.where(column, '=', value);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
