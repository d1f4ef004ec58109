import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Attributes the Web UI lists and filters on. No personal data goes here.
export const SigningProvider = defineSearchAttributeKey('SigningProvider', SearchAttributeType.KEYWORD);
export const SigningStatus = defineSearchAttributeKey('SigningStatus', SearchAttributeType.KEYWORD);
export const SigningExternalId = defineSearchAttributeKey('SigningExternalId', SearchAttributeType.KEYWORD);

/** When a registered transaction expires unless it ends first: "what expires this week". */
export const SigningDeadline = defineSearchAttributeKey('SigningDeadline', SearchAttributeType.DATETIME);

/** What a transaction wants a person to look at: `held-final`, `step-failed` (types.ts ATTENTION_REASONS). */
export const CountersignAttention = defineSearchAttributeKey('CountersignAttention', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [
  SigningProvider,
  SigningStatus,
  SigningExternalId,
  SigningDeadline,
  CountersignAttention,
];
