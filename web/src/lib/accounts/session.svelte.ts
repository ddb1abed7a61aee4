/**
 * Who is logged in, kept across reloads in localStorage. The access token is refreshed a
 * little before it expires (each refresh token works once, so refreshes are single-flight),
 * and at once when the server refuses it sooner (a socket closed with 4403: a clock that
 * jumped, a stale copy in another tab); without a session the client is anonymous, which the
 * server allows by default.
 */
import {
  onTokenRefused,
  request,
  resetSocket,
  retireToken,
  setAuthorization,
} from "../api/client";
import {
  LoginDocument,
  LogoutDocument,
  RefreshTokenDocument,
  RegisterDocument,
  type LoginInput,
  type RegisterInput,
  type SessionFieldsFragment,
  type UserFieldsFragment,
} from "../generated/graphql";

export type User = UserFieldsFragment;

interface Stored {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms after which the access token is refreshed before use (shortly before expiry). */
  expiresAt: number;
  user: User;
}

const KEY = "podrun.session";
/** Refresh this long before expiry (at most a quarter of the lifetime), so a request never
 * carries a token that expires on its way. */
const MARGIN_MS = 30_000;

export interface Problem {
  message: string;
  field: string | null;
}

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

class Session {
  user = $state.raw<User | null>(null);
  private stored: Stored | null = load();
  private refreshing: Promise<void> | null = null;

  constructor() {
    this.user = this.stored?.user ?? null;
    setAuthorization(() => this.token());
    onTokenRefused((token) => this.refused(token));
  }

  /** A valid access token, refreshed first when it is about to expire; null if anonymous. */
  async token(): Promise<string | null> {
    if (this.refreshing) await this.refreshing;
    if (this.stored && this.stored.expiresAt < Date.now()) {
      this.refreshing ??= this.refresh().finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.stored?.accessToken ?? null;
  }

  async login(input: LoginInput): Promise<Problem | null> {
    return this.adopt((await request(LoginDocument, { input })).login);
  }

  async register(input: RegisterInput): Promise<Problem | null> {
    return this.adopt((await request(RegisterDocument, { input })).register);
  }

  async logout(): Promise<void> {
    const refreshToken = this.stored?.refreshToken;
    this.forget();
    if (refreshToken) {
      await request(LogoutDocument, { refreshToken }).catch(() => undefined);
    }
  }

  /** The server no longer takes `token`: the next use refreshes first. */
  private refused(token: string): void {
    if (this.stored?.accessToken !== token) return; // already replaced
    this.stored = { ...this.stored, expiresAt: 0 };
    localStorage.setItem(KEY, JSON.stringify(this.stored));
  }

  private async refresh(): Promise<void> {
    const refreshToken = this.stored?.refreshToken;
    if (!refreshToken) return;
    let result;
    try {
      // The refresh token is the credential here, not the (expiring) access token.
      result = await request(RefreshTokenDocument, { refreshToken }, { authenticated: false });
    } catch {
      return; // the server is unreachable: keep the session and try again on the next request
    }
    if (await this.adopt(result.refreshToken, { quiet: true })) this.forget();
  }

  private async adopt(
    result: SessionFieldsFragment,
    { quiet = false } = {},
  ): Promise<Problem | null> {
    if (result.__typename !== "AuthPayload") {
      return {
        message: result.message,
        field: result.__typename === "InputError" ? (result.field ?? null) : null,
      };
    }
    const previous = this.stored?.accessToken;
    this.stored = {
      accessToken: result.accessToken,
      refreshToken: result.refreshToken,
      expiresAt: Date.now() + result.expiresIn * 1000 - Math.min(MARGIN_MS, result.expiresIn * 250),
      user: result.user,
    };
    localStorage.setItem(KEY, JSON.stringify(this.stored));
    const changed = this.user?.id !== result.user.id;
    this.user = result.user;
    if (changed && !quiet) resetSocket();
    else if (previous) retireToken(previous); // a refresh: the old token is about to expire
    return null;
  }

  private forget(): void {
    const had = this.stored !== null;
    this.stored = null;
    this.user = null;
    localStorage.removeItem(KEY);
    if (had) resetSocket();
  }
}

export const session = new Session();
