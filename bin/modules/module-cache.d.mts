export declare const MODULE_CACHE_ENV: "PROCESSGROUP_MODULE_CACHE";
export declare function cacheKey(source: string): string;
export declare function cacheDirectory(): string | undefined;
export declare function cachedJavaScript(source: string, dir?: string | undefined): string | undefined;
export declare function fillCache(files: readonly string[], dir?: string | undefined): number;
export declare function writeEntry(dir: string, key: string, text: string): void;
export declare function ownModules(): string[];
export declare function prepareModuleCache(): void;
export declare function registerModuleCache(): void;
