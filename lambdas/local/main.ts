// Placeholder until the local runner lands (issue 5): point people at the CLI.
console.log(
  [
    'The local runner is not built yet. Meanwhile the CLI verifies and signs webhooks:',
    '  npm run fluent-webhook -- keygen --out .local/keys',
    '  npm run fluent-webhook -- sign --private-key .local/keys/private-key.pem --body-file event.json',
    '  npm run fluent-webhook -- verify --public-key .local/keys/public-key.b64 --body-file event.json --fluent-signature <base64>',
  ].join('\n'),
);
