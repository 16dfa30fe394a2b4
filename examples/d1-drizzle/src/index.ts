// examples/d1-drizzle: a small blog API on D1 through drizzle-orm's D1 driver, written exactly as it
// would be for Cloudflare Workers. Apply the schema with `atoll d1 migrations apply DB`.
import { and, count, desc, eq, like, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";
import { authors, posts } from "./schema";

interface Env {
  DB: D1Database;
}

const json = (data: unknown, status = 200) => Response.json(data, { status });

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const db = drizzle(env.DB, { schema });
    const url = new URL(request.url);
    const parts = url.pathname.split("/").filter(Boolean);
    try {
      // GET /authors, POST /authors {name, email}
      if (parts[0] === "authors" && parts.length === 1) {
        if (request.method === "POST") {
          const body = (await request.json()) as { name: string; email: string };
          const [author] = await db.insert(authors).values(body).returning();
          return json(author, 201);
        }
        return json(await db.select().from(authors).orderBy(authors.id));
      }
      // GET /authors/:id with posts (relational query)
      if (parts[0] === "authors" && parts.length === 2) {
        const author = await db.query.authors.findFirst({
          where: eq(authors.id, Number(parts[1])),
          with: { posts: { orderBy: [desc(posts.id)] } },
        });
        return author ? json(author) : json({ error: "not found" }, 404);
      }
      // POST /posts {authorId, title, body, tags, published}; GET /posts?tag=&q=
      if (parts[0] === "posts" && parts.length === 1) {
        if (request.method === "POST") {
          const body = (await request.json()) as typeof posts.$inferInsert;
          const [post] = await db.insert(posts).values(body).returning();
          return json(post, 201);
        }
        const q = url.searchParams.get("q");
        const tag = url.searchParams.get("tag");
        const rows = await db
          .select({ id: posts.id, title: posts.title, author: authors.name, tags: posts.tags, published: posts.published })
          .from(posts)
          .innerJoin(authors, eq(posts.authorId, authors.id))
          .where(
            and(
              q ? like(posts.title, `%${q}%`) : undefined,
              tag ? sql`exists (select 1 from json_each(${posts.tags}) where value = ${tag})` : undefined,
            ),
          )
          .orderBy(posts.id);
        return json(rows);
      }
      // POST /posts/:id/view (update), DELETE /posts/:id
      if (parts[0] === "posts" && parts.length >= 2) {
        const id = Number(parts[1]);
        if (request.method === "DELETE") {
          const deleted = await db.delete(posts).where(eq(posts.id, id)).returning({ id: posts.id });
          return json({ deleted: deleted.length });
        }
        if (parts[2] === "view") {
          const [post] = await db
            .update(posts)
            .set({ views: sql`${posts.views} + 1` })
            .where(eq(posts.id, id))
            .returning({ id: posts.id, views: posts.views });
          return post ? json(post) : json({ error: "not found" }, 404);
        }
      }
      // POST /import {author, posts[]}: an author with their posts, all or nothing (D1 batch).
      if (parts[0] === "import" && request.method === "POST") {
        const body = (await request.json()) as { author: { name: string; email: string }; posts: { title: string; body: string }[] };
        const [inserted] = await db.batch([
          db.insert(authors).values(body.author).returning(),
          ...body.posts.map((p) =>
            db.insert(posts).values({ ...p, authorId: sql`(select id from authors where email = ${body.author.email})` }),
          ),
        ]);
        return json({ author: inserted[0], posts: body.posts.length }, 201);
      }
      if (parts[0] === "stats") {
        const [row] = await db.select({ authors: count() }).from(authors);
        const perAuthor = await db
          .select({ name: authors.name, posts: count(posts.id) })
          .from(authors)
          .leftJoin(posts, eq(posts.authorId, authors.id))
          .groupBy(authors.id)
          .orderBy(authors.id);
        return json({ ...row, perAuthor });
      }
      return json({ error: "no such route" }, 404);
    } catch (error) {
      // drizzle wraps the driver's error; D1's message (D1_ERROR: …) is its cause.
      const e = error as Error & { cause?: Error };
      const message = e.cause?.message ?? e.message;
      return json({ error: message }, /UNIQUE|FOREIGN KEY|NOT NULL/.test(message) ? 409 : 500);
    }
  },
};
