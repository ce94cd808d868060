/** An action's refusal: status and one message naming what to fix. */
export class InspectorRequestError extends Error {
  public constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
