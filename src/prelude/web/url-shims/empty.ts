// Stand-in for "@exodus/bytes/encoding.js" (legacy encodings for URL queries; unused by the URL API).
export {};
