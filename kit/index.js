// Run-time entry of @atrium/kit: the compiled sources in the repository's dist/ (built by
// `npm run build`). A file rather than a "main" path, because node resolves "main"
// against the node_modules symlink, not against this folder.
module.exports = require('../dist/kit/src/index.js');
