import { Type, type Static } from 'typebox';
import type { Favourite } from '../../core/favourites/favourites.service.ts';
import type { Share } from '../../core/shares/shares.service.ts';
import type { Tag } from '../../core/tags/tags.service.ts';
import { Id, Nullable, PageQuery, Timestamp } from './common.ts';
import { time, type Zoned } from './render.ts';

// ---- tags

const Color = Nullable(Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'Colour like #1677ff' }));

export const TagSchema = Type.Object(
  { id: Id(), name: Type.String(), color: Color, createdAt: Timestamp('Created') },
  { description: 'A customer tag (标签)' },
);

export const CreateTagBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 50, description: 'Unique in the tenant, whatever the case' }),
    color: Type.Optional(Color),
  },
  { additionalProperties: false },
);
export const UpdateTagBody = Type.Object(
  { name: Type.Optional(CreateTagBody.properties.name), color: Type.Optional(Color) },
  { additionalProperties: false, minProperties: 1 },
);

export const renderTag = (ctx: Zoned, t: Tag): Static<typeof TagSchema> => ({ id: t.id, name: t.name, color: t.color, createdAt: time(ctx, t.created_at) });

// ---- shares

export const ShareSchema = Type.Object(
  {
    userId: Id('The user the customer is shared with'),
    userName: Type.String(),
    sharedBy: Nullable(Id('Who shared it')),
    createdAt: Timestamp('Shared at'),
  },
  { description: 'A customer shared (共享) with a user, who then sees it whatever their data scope' },
);

export const ShareBody = Type.Object(
  { userIds: Type.Array(Id(), { minItems: 1, maxItems: 100, description: 'Users to share the customer with' }) },
  { additionalProperties: false },
);

export const UnshareQuery = Type.Object(
  { userId: Type.Optional(Type.Array(Id(), { maxItems: 100, description: 'Take the share back from these users (repeatable); absent: from everyone' })) },
  { additionalProperties: false },
);

export const ShareUserParams = Type.Object({ id: Id(), userId: Id() }, { additionalProperties: false });

export const renderShare = (ctx: Zoned, s: Share): Static<typeof ShareSchema> => ({
  userId: s.user_id,
  userName: s.user_name,
  sharedBy: s.shared_by,
  createdAt: time(ctx, s.created_at),
});

// ---- favourites

export const FavouriteSchema = Type.Object(
  {
    customerId: Id(),
    customerName: Type.String(),
    markerId: Nullable(Id('favourite_marker item (收藏标识)')),
    createdAt: Timestamp('Marked at'),
  },
  { description: "A customer in the caller's favourites (收藏)" },
);

export const FavouriteBody = Type.Object(
  { markerId: Type.Optional(Nullable(Id("favourite_marker item; default: the dictionary's default item; null: no marker"))) },
  { additionalProperties: false },
);

export const FavouriteListQuery = Type.Object({ ...PageQuery, markerId: Type.Optional(Id('Only favourites with this marker')) }, { additionalProperties: false });

export const renderFavourite = (ctx: Zoned, f: Favourite): Static<typeof FavouriteSchema> => ({
  customerId: f.customer_id,
  customerName: f.customer_name,
  markerId: f.marker_id,
  createdAt: time(ctx, f.created_at),
});
