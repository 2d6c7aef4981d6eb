import type { IncomingMessage, ServerResponse } from "node:http";

export declare const CPU_ITERATIONS: number;
export declare const IO_WAIT_MS: number;
export declare const BYTES_SIZE: number;
export declare function cpuWork(iterations: number): number;
export declare function listener(req: IncomingMessage, res: ServerResponse): void;
export declare function fetchWorkload(request: Request, pathInfo: string | undefined): Promise<Response>;
