/** Lint findings, in the shape of IAM Access Analyzer's ValidatePolicy results. */

export type FindingType = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

export interface Finding {
  readonly findingType: FindingType;
  /** Stable code callers can switch on, e.g. `INVALID_ACTION`. */
  readonly issueCode: string;
  readonly message: string;
  /** JSON path of the element, e.g. `$.Statement[0].Action[1]`. */
  readonly path: string;
  /** One-line suggestion. */
  readonly fix: string;
}

export const finding = (findingType: FindingType, issueCode: string, message: string, path: string, fix: string): Finding =>
  Object.freeze({ findingType, issueCode, message, path, fix });
