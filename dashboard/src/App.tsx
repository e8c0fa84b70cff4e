import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { SignIn } from './components/SignIn.js';
import { Header } from './components/Header.js';
import { canSeeAll, decodeClaims, hostsShow, onlyShow, type PageProps, signInReason, takeToken, TOKEN_KEY } from './lib/auth.js';
import { keepFresh } from './lib/refresh.js';
import { navigate, type Route, showPath, studioPath, useRoute } from './lib/router.js';
import { ShowView } from './pages/ShowView.js';
import { Wall } from './pages/Wall.js';

// The wall and a show's view are what staff open first: they are in the first load. Hosts land
// in the studio, which brings livekit-client and so is fetched on its own.
// The other pages are fetched when first visited, so their code does not weigh on the wall's
// first render (the build's budget, build/chunk-budget.ts, fails past 150 kB of gzip JavaScript).
const EventCatalog = lazy(() => import('./pages/EventCatalog.js').then((m) => ({ default: m.EventCatalog })));
const Replay = lazy(() => import('./pages/Replay.js').then((m) => ({ default: m.Replay })));
const Webhooks = lazy(() => import('./pages/Webhooks.js').then((m) => ({ default: m.Webhooks })));
// Most sessions never search.
const Studio = lazy(() => import('./pages/Studio.js').then((m) => ({ default: m.Studio })));
const Search = lazy(() => import('./pages/Search.js').then((m) => ({ default: m.Search })));

/** Read once at load: the token moves from the URL into sessionStorage before anything renders. */
function initialToken(): string | null {
  const { token, cleanUrl } = takeToken(location.href, sessionStorage);
  if (cleanUrl !== undefined) history.replaceState(null, '', cleanUrl);
  return token;
}

export function App() {
  const [token, setToken] = useState(initialToken);
  /** Bumped on every sign-in: pages remount for a new sign-in, not for a refreshed token of the same one. */
  const [session, setSession] = useState(0);
  /** Set when the hub refused the token mid-session: the sign-in screen says why. */
  const [refused, setRefused] = useState<string>();
  const claims = useMemo(() => decodeClaims(token), [token]);
  const route = useRoute();
  const host = onlyShow(claims);

  // One show has nothing to choose: the wall would be one card. A host lands in its studio.
  useEffect(() => {
    if (route.page === 'wall' && host && !canSeeAll(claims)) navigate(hostsShow(claims, host) ? studioPath(host) : showPath(host), true);
  }, [route.page, host, claims]);

  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  };
  const signIn = (t: string) => {
    sessionStorage.setItem(TOKEN_KEY, t);
    setRefused(undefined);
    setSession((n) => n + 1);
    setToken(t);
  };
  // The stream (or a load) got 401: drop the dead token, so a reload does not retry it either.
  const onUnauthorized = useCallback(() => {
    setRefused(signInReason(claims, Date.now() / 1000));
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
  }, [claims]);
  // Refreshed before it expires, for as long as the hub allows the session (HUB_SESSION_MAX_HOURS):
  // streams reconnect with the new token from their last id; only a refusal shows the sign-in page.
  useEffect(() => {
    if (!token) return;
    return keepFresh(
      token,
      (t) => {
        sessionStorage.setItem(TOKEN_KEY, t);
        setToken(t);
      },
      onUnauthorized,
    );
  }, [session, token === null]); // eslint-disable-line react-hooks/exhaustive-deps -- one refresher per session: a refreshed token must not restart it
  if (refused) return <SignIn onToken={signIn} reason={refused} />;
  // eslint-disable-next-line react-hooks/purity -- the token's expiry is judged against the clock at each render, on purpose
  const nowSeconds = Date.now() / 1000;
  const expired = claims?.exp !== undefined && claims.exp < nowSeconds;
  if (expired) return <SignIn onToken={signIn} reason={signInReason(claims, nowSeconds)} />;

  const common = { token, claims, onSignOut: signOut, onUnauthorized };
  const onlyOneShow = Boolean(host && !canSeeAll(claims));
  return (
    <Suspense fallback={<main className="empty" data-loading-page>Loading…</main>}>
      <Page route={route} session={session} onlyOneShow={onlyOneShow} {...common} />
    </Suspense>
  );
}

/** The route's page; a lazy one suspends (the fallback above shows) while its code loads. */
function Page({ route, session, onlyOneShow, ...common }: PageProps & { route: Route; session: number; onlyOneShow: boolean }) {
  switch (route.page) {
    case 'wall':
      return onlyOneShow ? null : <Wall key={session} {...common} />;
    case 'studio':
      return <Studio key={`${session}:studio:${route.show}`} show={route.show} {...common} />;
    case 'show':
      // A host's own show is the host's layout, the studio (big agent status, pause, transcript, carousel).
      return hostsShow(common.claims, route.show) ? (
        <Studio key={`${session}:studio:${route.show}`} show={route.show} {...common} />
      ) : (
        <ShowView key={`${session}:${route.show}`} show={route.show} {...common} />
      );
    case 'replay':
      return <Replay key={`${session}:replay:${route.show}`} show={route.show} {...common} />;
    case 'events':
      return <EventCatalog {...common} />;
    case 'search':
      return <Search key={session} {...common} />;
    case 'webhooks':
      return <Webhooks key={session} {...common} />;
    default:
      return (
        <>
          <Header claims={common.claims} onSignOut={common.onSignOut} />
          <main className="empty">This page does not exist.</main>
        </>
      );
  }
}
