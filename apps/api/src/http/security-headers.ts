import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * The Content-Security-Policy of every answer. JSON needs none of it; it is written for
 * the HTML pages, Swagger UI at /docs and the dashboard at /ui: their scripts and
 * stylesheets are files from this origin ('self'), Swagger UI's page carries two inline
 * <style> blocks and React sets style attributes, icons are data: URIs, and both fetch
 * only this origin. Nothing inline is ever scripted.
 */
export const CONTENT_SECURITY_POLICY = {
  "default-src": ["'self'"],
  "base-uri": ["'self'"],
  "connect-src": ["'self'"],
  "font-src": ["'self'", "data:"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "img-src": ["'self'", "data:"],
  "object-src": ["'none'"],
  "script-src": ["'self'"],
  "script-src-attr": ["'none'"],
  "style-src": ["'self'", "'unsafe-inline'"],
} as const;

/**
 * helmet's headers (nosniff, frame and referrer policies, cross-origin isolation, HSTS
 * for when a TLS proxy is in front) with the CSP above. upgrade-insecure-requests is left
 * out: the API is often reached over plain HTTP on localhost, where it would break /docs.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(CONTENT_SECURITY_POLICY).map(([k, v]) => [k, [...v]]),
      ),
    },
    frameguard: { action: "deny" },
  });
}
