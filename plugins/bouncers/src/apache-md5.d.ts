declare module 'apache-md5' {
  /** Apache's MD5 crypt ($apr1$): the hash of `password` with the salt of `salt` (a whole $apr1$ hash works). */
  function md5(password: string, salt?: string): string;
  export = md5;
}
