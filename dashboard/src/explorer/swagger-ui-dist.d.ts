// The part of swagger-ui-dist's browser bundle (a UMD build without type definitions) that the
// explorer uses: the factory, its presets, and what a plugin receives ("system").
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  import type * as ReactNamespace from 'react';

  /** Swagger UI keeps its state in Immutable.js values; only these readers are used. */
  export interface ImmutableValue {
    get(key: string | number): unknown;
    getIn(path: (string | number)[]): unknown;
    toJS(): unknown;
  }

  export interface SwaggerRequest {
    url: string;
    method?: string;
    headers: Record<string, string>;
    /** Set when the request fetches the OpenAPI document itself. */
    loadSpec?: boolean;
  }

  export interface SwaggerSystem {
    /** Swagger UI's own React (its bundle carries one): plugin components must be made with it. */
    React: typeof ReactNamespace;
    specSelectors: {
      specJson(): ImmutableValue;
      mutatedRequestFor(path: string, method: string): ImmutableValue | undefined;
    };
    fn: { requestSnippetGenerator_curl_bash?: (request: ImmutableValue) => string };
  }

  export type Wrapper<P> = (Original: ReactNamespace.ComponentType<P>, system: SwaggerSystem) => ReactNamespace.ComponentType<P>;

  export interface SwaggerPlugin {
    wrapComponents?: Record<string, Wrapper<Record<string, unknown>>>;
  }

  export interface SwaggerConfig {
    domNode: HTMLElement;
    url: string;
    presets?: unknown[];
    plugins?: ((system: SwaggerSystem) => SwaggerPlugin)[];
    layout?: string;
    deepLinking?: boolean;
    tryItOutEnabled?: boolean;
    displayRequestDuration?: boolean;
    requestSnippetsEnabled?: boolean;
    showMutatedRequest?: boolean;
    validatorUrl?: string | null;
    defaultModelsExpandDepth?: number;
    docExpansion?: 'list' | 'full' | 'none';
    filter?: boolean;
    persistAuthorization?: boolean;
    withCredentials?: boolean;
    requestInterceptor?: (request: SwaggerRequest) => SwaggerRequest;
  }

  interface SwaggerUIBundleFactory {
    (config: SwaggerConfig): SwaggerSystem;
    presets: { apis: unknown };
  }

  const SwaggerUIBundle: SwaggerUIBundleFactory;
  export default SwaggerUIBundle;
}
