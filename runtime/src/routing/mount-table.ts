/** Where a request path lands: the app, its mount (SCRIPT_NAME) and the path below it (PATH_INFO). */
export interface MountMatch<A> {
  readonly app: A;
  /** "" for an app mounted at "/", as WSGI's SCRIPT_NAME. */
  readonly scriptName: string;
  /** The path below the mount, always starting with "/". */
  readonly pathInfo: string;
}

export interface MountTable<A> {
  readonly match: (path: string) => MountMatch<A> | undefined;
}

/**
 * Routes by URL prefix, longest mount first, on whole path segments: "/blog" serves
 * "/blog" and "/blog/x" but not "/blogger" (WSGIScriptAlias's matching).
 */
export function mountTable<A extends { readonly mount: string }>(apps: readonly A[]): MountTable<A> {
  const byLength = [...apps].sort((a, b) => b.mount.length - a.mount.length);
  return {
    match(path) {
      for (const app of byLength) {
        if (app.mount === "/") return { app, scriptName: "", pathInfo: path.startsWith("/") ? path : `/${path}` };
        if (path === app.mount) return { app, scriptName: app.mount, pathInfo: "/" };
        if (path.startsWith(app.mount) && path.charCodeAt(app.mount.length) === 47 /* "/" */) {
          return { app, scriptName: app.mount, pathInfo: path.slice(app.mount.length) };
        }
      }
      return undefined;
    },
  };
}
