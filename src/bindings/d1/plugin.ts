// The D1 binding (`d1_databases`): each configured database becomes a D1Database on `env`
// (isolate.ts) backed by a D1Service over the database's store. The local database is
// `preview_database_id` when set, else `database_id` (src/config resolves that into databaseId),
// as in `wrangler dev`. Preparing opens the database file, so a corrupt or locked file stops
// `atoll dev` at startup with the file's path.
import type { BindingConfig } from "../../config/index.ts";
import type { BindingPlugin } from "../binding-plugin.ts";
import { D1Service } from "./d1-service.ts";

type D1Config = Extract<BindingConfig, { type: "d1" }>;

// Host functions: the isolate calls `callHost("d1.query", [bindingName, request])`; the binding
// name has already been resolved to this worker's D1Service when these run. Each call counts as
// one subrequest, as D1 queries do against the Workers subrequest limit.
export const d1Plugin: BindingPlugin<D1Config, D1Service> = {
  type: "d1",
  configKey: "d1_databases",
  describe: (config) => ({ type: "d1", name: config.name }),
  prepare: (config, storage) => new D1Service(storage.d1(config.databaseId)),
  functions: {
    "d1.query": (d1, ctx, request) => {
      ctx.countSubrequest();
      return d1.query(request);
    },
    "d1.exec": (d1, ctx, sql) => {
      ctx.countSubrequest();
      return d1.exec(sql);
    },
    "d1.dump": (d1, ctx) => {
      ctx.countSubrequest();
      return d1.dump();
    },
  },
};
