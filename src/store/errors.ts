import { UserError } from '../core/types.js';

/** A store failure that is not the user's doing (a failed migration, a broken invariant). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The database was written by a newer secagent whose schema this code does not know. */
export class SchemaTooNewError extends UserError {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${path}: the store has schema version ${found}, newer than this secagent supports (${supported}); upgrade secagent or use another database file`,
    );
    this.name = 'SchemaTooNewError';
  }
}
