/**
 * Failures raised by the state model and turned into HTTP answers by the router. v2 endpoints answer
 * `{"message":"Error: CODE"}`; Contacts v3 endpoints answer `{"errorCode","description","details"}`.
 */
export class V2Failure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`Error: ${code}`);
  }
}

export interface V3Detail {
  item: string;
  description: string;
}

export class V3Failure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
    readonly details?: V3Detail[],
  ) {
    super(description);
  }
}
