/** What the gateway said when it refused a login, a pairing or a token: its message and the fields it named. */
export async function refusalOf(response: Response, what: string): Promise<Error> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; issues?: { path: string; message: string }[] };
  const fields = (body.issues ?? []).map((issue) => `${issue.path.replace(/^body\./, "")} ${issue.message}`).join("; ");
  const reason = [body.error, fields].filter(Boolean).join(": ") || `answered ${response.status}`;
  if (response.status === 429) {
    const wait = response.headers.get("retry-after");
    return new Error(`${what} refused: too many attempts; wait ${wait ?? "a little"} s and try again`);
  }
  return new Error(`${what} refused: ${reason}`);
}
