import express, { type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { Role } from "../auth/roles.js";
import type { Principal } from "../auth/token-store.js";
import { GatewayError } from "../errors.js";
import { describeIssues, fieldIssues, type FieldIssue } from "../field-issues.js";
import { requirePrincipal, route } from "./route.js";

/** Who may call a route: anyone, or a logged-in caller holding at least the role. */
export type Access = "public" | Role;
export type HttpMethod = "get" | "post" | "put" | "delete";

/** A request refused before its handler ran: the issues name the fields. */
export class RequestValidationError extends GatewayError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: FieldIssue[]) {
    super(describeIssues(issues), { issues });
    this.issues = issues;
  }
}

export { NotFoundError } from "../errors.js";

/** A body of a type other than JSON (a form, text): 415 with the reason. */
export class UnsupportedMediaTypeError extends GatewayError {}

const NO_FIELDS = z.strictObject({});
type NoFields = typeof NO_FIELDS;
type Awaitable<T> = Promise<T> | T;

export interface RouteInput<A extends Access, P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  principal: A extends "public" ? Principal | undefined : Principal;
  req: Request;
  res: Response;
}

/**
 * One JSON route: what it takes (path parameters, query, body) and gives (response), each
 * a zod schema. Objects are strict, so a field the route does not know is refused; the
 * schemas also make the route's entry in the OpenAPI document.
 */
export interface JsonRouteSpec<
  A extends Access,
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** Below the routes' prefix, Express style (`/:username/role`). */
  path: string;
  summary: string;
  description?: string;
  access: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Without one the route answers 204 with no body. */
  response?: R;
  /** The status of a success; 200 by default (204 without a response). */
  status?: number;
  /** A route that writes its own answer (an event stream) names its media type; the handler then answers. */
  produces?: string;
  handle(input: RouteInput<A, P, Q, B>): Awaitable<R extends z.ZodType ? z.input<R> : void>;
}

/** A route as the OpenAPI document describes it. */
export interface ApiOperation {
  method: HttpMethod;
  /** The full Express path, `/api/accounts/:username/role`. */
  path: string;
  summary: string;
  description: string | undefined;
  access: Access;
  params: z.ZodType | undefined;
  query: z.ZodType | undefined;
  body: z.ZodType | undefined;
  response: z.ZodType | undefined;
  status: number;
  /** What a route that does not answer JSON answers (text/html, text/event-stream, …). */
  contentType: string;
}

function parsePart<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new RequestValidationError(fieldIssues(result.error, where));
  return result.data;
}

function pathParameters(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
}

function checkParamsDeclared(path: string, params: z.ZodType | undefined): void {
  const named = pathParameters(path);
  const declared = params instanceof z.ZodObject ? Object.keys(params.shape) : [];
  if (named.join() !== declared.join()) {
    throw new GatewayError(`route ${path} names parameters [${named.join()}] but its schema declares [${declared.join()}]`);
  }
}

/**
 * The API's routes, kept as schemas: each prefix gets an Express router whose routes parse
 * their input before the handler runs, and every route is recorded for the OpenAPI
 * document.
 */
export class ApiRoutes {
  readonly operations: ApiOperation[] = [];

  /** A group of routes under `prefix` (`/api/accounts`); mount `router` there. */
  under(prefix: string): RouteGroup {
    return new RouteGroup(prefix, this.operations);
  }

  /** Records a route that is not JSON (an HTML page, metrics, an event stream), so the document has it too. */
  describe(
    operation: Pick<ApiOperation, "method" | "path" | "summary" | "access" | "contentType"> & Partial<ApiOperation>,
  ): void {
    this.operations.push({
      description: undefined,
      params: undefined,
      query: undefined,
      body: undefined,
      response: undefined,
      status: 200,
      ...operation,
    });
  }
}

export class RouteGroup {
  readonly router: Router = express.Router();
  /** Where `router` is mounted. */
  readonly prefix: string;
  private readonly operations: ApiOperation[];

  constructor(prefix: string, operations: ApiOperation[]) {
    this.prefix = prefix;
    this.operations = operations;
  }

  add<
    A extends Access,
    P extends z.ZodType = NoFields,
    Q extends z.ZodType = NoFields,
    B extends z.ZodType = NoFields,
    R extends z.ZodType | undefined = undefined,
  >(spec: JsonRouteSpec<A, P, Q, B, R>): void {
    checkParamsDeclared(spec.path, spec.params);
    const status = spec.status ?? (spec.response ? 200 : 204);
    const takesBody = spec.method !== "get";
    this.operations.push({
      method: spec.method,
      path: (this.prefix + spec.path).replace(/(.)\/$/, "$1"),
      summary: spec.summary,
      description: spec.description,
      access: spec.access,
      params: spec.params,
      query: spec.query ?? NO_FIELDS,
      body: takesBody ? spec.body : undefined,
      response: spec.response,
      status: spec.produces ? 200 : status,
      contentType: spec.produces ?? "application/json",
    });
    this.router[spec.method](
      spec.path,
      route(async (req, res) => {
        const principal = spec.access === "public" ? undefined : requirePrincipal(req, spec.access);
        if (takesBody && req.headers["content-length"] !== "0" && req.headers["content-type"] && !req.is("application/json")) {
          throw new UnsupportedMediaTypeError(`the body must be application/json, not ${req.headers["content-type"]}`);
        }
        const input = {
          params: parsePart(spec.params ?? NO_FIELDS, req.params, "params") as z.output<P>,
          query: parsePart(spec.query ?? NO_FIELDS, req.query, "query") as z.output<Q>,
          body: (takesBody ? parsePart(spec.body ?? NO_FIELDS, req.body ?? {}, "body") : {}) as z.output<B>,
          principal: principal as RouteInput<A, P, Q, B>["principal"],
          req,
          res,
        };
        const result = await spec.handle(input);
        if (res.headersSent) return;
        if (spec.response) res.status(status).json(result);
        else res.status(status).end();
      }),
    );
  }
}
