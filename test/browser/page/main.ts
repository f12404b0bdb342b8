import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient as createWsClient } from 'graphql-ws';
import type { DeferRender, PageApi, PageResults, PageWindow, Transport } from './results';
import { SseLink } from './sse-link';

// A client application as a frontend team would write it: Apollo Client with its own
// HttpLink (@defer, multipart subscriptions), GraphQLWsLink and an SSE link, against the
// gateway given in the query string (?gateway=http://…/graphql&token=…). What it renders is
// also recorded on `window.results` for the test.

const params = new URLSearchParams(location.search);
const uri = params.get('gateway') ?? '';
const token = params.get('token') ?? '';
const authorization = `Bearer ${token}`;

const results: PageResults = {
  defer: [],
  live: { websocket: [], multipart: [], sse: [] },
  ended: { websocket: null, multipart: null, sse: null },
  starts: { websocket: 0, multipart: 0, sse: 0 },
  socketConnections: 0,
  errors: [],
};

/** Counts the subscriptions a transport's terminating link is asked to start. */
const counted = (transport: Transport, link: ApolloLink) =>
  ApolloLink.from([
    new ApolloLink((operation, forward) => {
      if (operation.operationType === OperationTypeNode.SUBSCRIPTION) results.starts[transport]++;
      return forward(operation);
    }),
    link,
  ]);

// No silent reconnection on either streaming client: a dropped stream must show as ended.
const socket = createWsClient({
  url: uri.replace(/^http/, 'ws'),
  connectionParams: { authorization },
  retryAttempts: 0,
  on: { connected: () => void results.socketConnections++ },
});

const clients: Record<Transport, ApolloClient> = {
  // HttpLink speaks @defer (with the incremental handler) and Apollo's multipart subscriptions.
  multipart: new ApolloClient({
    link: counted('multipart', new HttpLink({ uri, headers: { authorization } })),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
  }),
  websocket: new ApolloClient({ link: counted('websocket', new GraphQLWsLink(socket)), cache: new InMemoryCache() }),
  sse: new ApolloClient({ link: counted('sse', new SseLink({ url: uri, headers: { authorization }, retryAttempts: 0 })), cache: new InMemoryCache() }),
};

const DEFERRED = gql`
  query DeferredBooking($id: ID!) {
    booking(id: $id) {
      id
      status
      ... @defer(label: "workspace") {
        workspace { name location { city } }
      }
    }
  }
`;

const FOLLOW = gql`
  subscription FollowWorkspace($workspaceId: ID) {
    bookingUpdated(workspaceId: $workspaceId) { id status workspace { name } }
  }
`;

interface BookingView {
  id: string;
  status: string;
  workspace?: { name: string; location: { city: string } } | null;
}

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : JSON.stringify(err));

function renderDefer({ dataState, status, workspace, city }: DeferRender) {
  const text = `${status} · ${workspace ? `${workspace}, ${city}` : 'workspace on its way…'}`;
  document.querySelector('[data-testid=defer-view]')!.textContent = text;
  const li = document.createElement('li');
  li.dataset.state = dataState;
  li.textContent = `${dataState}: ${text}`;
  document.querySelector('[data-testid=defer-renders]')!.append(li);
}

function renderEvent(transport: Transport, event: { id: string; status: string; workspace: string | null }) {
  const li = document.createElement('li');
  li.dataset.booking = event.id;
  li.dataset.status = event.status;
  li.innerHTML = `<code>${event.id.slice(0, 8)}</code> ${event.status}`;
  document.querySelector(`[data-transport=${transport}] ol`)!.append(li);
}

function renderEnd(transport: Transport, how: string) {
  const li = document.createElement('li');
  li.className = 'ended';
  li.textContent = `ended: ${how}`;
  document.querySelector(`[data-transport=${transport}] ol`)!.append(li);
}

const api: PageApi = {
  deferBooking(bookingId) {
    const query = clients.multipart.watchQuery<{ booking: BookingView | null }>({ query: DEFERRED, variables: { id: bookingId }, fetchPolicy: 'network-only' });
    const sub = query.subscribe({
      next(result) {
        if (result.error) results.errors.push(`defer: ${describe(result.error)}`);
        const booking = result.data?.booking;
        if (!booking) return;
        const render: DeferRender = {
          dataState: result.dataState,
          status: booking.status ?? null,
          workspace: booking.workspace?.name ?? null,
          city: booking.workspace?.location?.city ?? null,
        };
        results.defer.push(render);
        renderDefer(render);
        if (result.dataState === 'complete') sub.unsubscribe();
      },
      error: (err) => results.errors.push(`defer: ${describe(err)}`),
    });
  },

  follow(workspaceId) {
    for (const transport of Object.keys(clients) as Transport[]) {
      clients[transport].subscribe<{ bookingUpdated: BookingView & { workspace: { name: string } } }>({ query: FOLLOW, variables: { workspaceId } }).subscribe({
        next(result) {
          if (result.error) results.errors.push(`${transport}: ${describe(result.error)}`);
          const b = result.data?.bookingUpdated;
          if (!b) return;
          const event = { id: b.id, status: b.status, workspace: b.workspace?.name ?? null };
          results.live[transport].push(event);
          renderEvent(transport, event);
        },
        error(err) {
          results.ended[transport] = describe(err);
          renderEnd(transport, describe(err));
        },
        complete() {
          results.ended[transport] = 'complete';
          renderEnd(transport, 'complete');
        },
      });
    }
  },
};

const page = window as unknown as Window & PageWindow;
page.results = results;
page.atrium = api;
window.addEventListener('unhandledrejection', (e) => results.errors.push(`unhandled: ${describe(e.reason)}`));
