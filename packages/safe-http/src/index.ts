export {
  type AddressClass,
  classifyAddress,
  isPrivateAddress,
} from "./address.js";
export {
  checkUrlAllowed,
  type UrlCheck,
  type UrlGuardOptions,
} from "./check-url.js";
export { parseRetryAfter } from "./retry-after.js";
export {
  safeRequest,
  type SafeRequestError,
  type SafeRequestErrorKind,
  type SafeRequestOptions,
  type SafeResponse,
} from "./safe-request.js";
