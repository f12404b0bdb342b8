export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  headers: Headers;
}

/** Posts one GraphQL operation to `url` (…/graphql) the way any client would. */
export async function graphql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T | null; errors?: GraphQLResponse['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

/** The `extensions.code` of every error, in order: the usual thing a test asserts on. */
export const errorCodes = (res: GraphQLResponse) => (res.errors ?? []).map((e) => e.extensions?.code);
