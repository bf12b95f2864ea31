export { resolveConfig, parseRatlipConfig } from '../../../packages/ratlip-gan/src/config/resolve-config';
export { NET_G_CLIP_PREFIX } from '../../../packages/ratlip-gan/src/model/net-g';
export { RatlipGan } from '../../../packages/ratlip-gan/src/model/ratlip-gan';
export { clipSentenceEncoder } from '../../../packages/ratlip-gan/src/model/sentence-encoder';
