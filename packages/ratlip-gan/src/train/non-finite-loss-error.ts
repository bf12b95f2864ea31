/** Thrown when a training loss is NaN or infinite; the update of that network is not applied. */
export class NonFiniteLossError extends Error {
  /**
   * @param step the training step (1-based) that produced the loss.
   * @param losses the loss values of that step, by name.
   * @param lastCheckpoint the last checkpoint written (to resume from), if any.
   */
  constructor(
    readonly step: number,
    readonly losses: Readonly<Record<string, number>>,
    readonly lastCheckpoint: string | undefined,
  ) {
    const bad = Object.entries(losses)
      .filter(([, value]) => !Number.isFinite(value))
      .map(([name, value]) => `${name} = ${value}`)
      .join(', ');
    super(
      `training step ${step}: non-finite loss (${bad}); training stopped before applying the update. ` +
        (lastCheckpoint
          ? `Last checkpoint: ${lastCheckpoint} (resume from it, e.g. with a lower learning rate).`
          : 'No checkpoint has been written yet.'),
    );
    this.name = 'NonFiniteLossError';
  }
}
