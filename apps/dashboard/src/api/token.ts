/** Kept for this browser tab only: closing it forgets the token. */
const KEY = "vigil.api-token";

export function storedToken(): string | null {
  return window.sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  window.sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  window.sessionStorage.removeItem(KEY);
}
