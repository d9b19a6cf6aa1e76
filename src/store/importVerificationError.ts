/** The counts after writing did not match the batch: everything was rolled back. */
export class ImportVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportVerificationError';
  }
}
