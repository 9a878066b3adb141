/** Every Management API route lives under this prefix. */
export const API_PREFIX_PATH = '/api/v2';
