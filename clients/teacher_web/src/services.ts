// The app's one gateway client. The token comes from the auth store at call time, and a 401
// signs the teacher out with a message, wherever it happened.
import { gatewayApi } from "@/api/gateway";
import { HttpClient } from "@/api/http";

let tokenSource: () => string | null = () => null;
let unauthorizedHandler: () => void = () => undefined;

export const http = new HttpClient({
  token: () => tokenSource(),
  onUnauthorized: () => unauthorizedHandler(),
});

export const api = gatewayApi(http);

export function connectAuth(token: () => string | null, onUnauthorized: () => void): void {
  tokenSource = token;
  unauthorizedHandler = onUnauthorized;
}
