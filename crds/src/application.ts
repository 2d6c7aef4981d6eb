import { z } from "zod";
import { dnsLabel, mountPath, nonEmptyString } from "./fields.ts";

/** mod_wsgi's %{GLOBAL} (the first interpreter): here, the one group every app naming it shares. */
export const GLOBAL_APPLICATION_GROUP = "%{GLOBAL}";

export const Requirements = z
  .strictObject({
    multiprocess: z
      .boolean({ error: "must be true or false" })
      .optional()
      .meta({ description: "The value of the multiprocess flag this application needs. An app that keeps state in memory across requests (an in-process debugger, a cache it never invalidates) needs false: then the group must omit processes." }),
    multithread: z
      .boolean({ error: "must be true or false" })
      .optional()
      .meta({ description: "The value of the multithread flag this application needs. An app that is not thread-safe needs false: then the group must set threads to 1." }),
  })
  .meta({ description: "What the application cannot live without. A group whose flags contradict it is refused, on create, update and kubectl scale alike (so a group whose app needs multiprocess=false cannot be scaled: processes must stay omitted). Should one run anyway (a runtime started by hand), the runtime answers 500 saying which flag and why, and the operator reports Degraded." });

const APPLICATION_GROUP = /^(%\{GLOBAL\}|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;
export const applicationGroupName = z
  .string({ error: "must be a string" })
  .max(63, { error: "must be at most 63 characters" })
  .regex(APPLICATION_GROUP, { error: "must be %{GLOBAL} or a DNS label" });

export const Application = z
  .strictObject({
    name: dnsLabel("Name of the application, unique in the group (a DNS label). It names the default application group and appears in logs and metrics."),
    mount: mountPath("URL path prefix under which the application is served, like WSGIScriptAlias's first argument: '/' or '/blog'. The application sees its mount (SCRIPT_NAME) and the rest of the path (PATH_INFO) separately. Unique in the group; the longest matching prefix wins."),
    entry: nonEmptyString("Module that exports the application, relative to the application root (the image's /app, or the ConfigMap source): its default export is a fetch-style handler ({ fetch(request, env) }, such as a Hono app) or a Node (req, res) listener (such as an Express app)."),
    applicationGroup: applicationGroupName
      .optional()
      .meta({ description: "Application group, like WSGIApplicationGroup: applications in the same group share module state (one module realm per worker thread); different groups never do. Default: the application's own name (one group per application, like %{RESOURCE}). %{GLOBAL} is the process-wide group shared by every application that names it, wherever it is mounted (it runs on worker threads like any group, so it gets the same limits and reloads)." }),
    requires: Requirements.optional(),
  })
  .meta({ description: "One web application served by the group." });

export type Application = z.output<typeof Application>;
export type Requirements = z.output<typeof Requirements>;

/** The application group an application runs in: its own unless it names one. */
export function applicationGroupOf(app: Pick<Application, "name" | "applicationGroup">): string {
  return app.applicationGroup ?? app.name;
}
