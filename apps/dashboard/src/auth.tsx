import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { ApiCallError } from "./api/client.js";
import { forgetToken, storedToken, storeToken } from "./api/token.js";

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A write that asks for a token first: `start()` runs it with the token of this tab, or shows
 * `prompt` to ask for one; a token the API refuses (401) is forgotten and asked for again.
 */
export function useWrite<T>(o: {
  run: (token: string) => Promise<T>;
  onDone?: (result: T) => unknown;
  scope: string;
}) {
  const [asking, setAsking] = useState(false);
  const mutation = useMutation({
    mutationFn: o.run,
    onSuccess: (result) => o.onDone?.(result),
    onError: (err) => {
      if (err instanceof ApiCallError && err.status === 401) {
        forgetToken();
        setAsking(true);
      }
    },
  });
  const start = () => {
    const token = storedToken();
    if (token === null) {
      setAsking(true);
    } else {
      mutation.mutate(token);
    }
  };
  const prompt = asking ? (
    <TokenForm
      scope={o.scope}
      onCancel={() => setAsking(false)}
      onToken={(token) => {
        storeToken(token);
        setAsking(false);
        mutation.mutate(token);
      }}
    />
  ) : null;
  return { start, prompt, mutation };
}

export function TokenForm(props: {
  scope: string;
  onToken: (token: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [value, setValue] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // React bubbles submit through the component tree: no enclosing form may see this one
    e.stopPropagation();
    if (value.trim() !== "") {
      props.onToken(value.trim());
    }
  };
  return (
    <form className="token-form card" onSubmit={submit} aria-label="API token">
      <label htmlFor={id}>
        This needs an API token with the <code>{props.scope}</code> scope (kept
        in this tab only; <code>.vigil/api-token</code> under{" "}
        <code>npm start</code>)
      </label>
      <div className="filters">
        <input
          id={id}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
        />
        <button type="submit">Use token</button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** What a failed write says, in words. */
export function WriteError({ error }: { error: Error | null }) {
  if (error === null) {
    return null;
  }
  const text =
    error instanceof ApiCallError
      ? error.status === 403
        ? `Refused: ${error.message}`
        : `${error.status}${error.code === undefined ? "" : ` ${error.code}`}: ${error.message}`
      : error.message;
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}
