//! A user's id in the database: stored as the UUID it wraps, in both engines.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

use crate::domain::UserId;

/// Implements sqlx's traits for [`UserId`] on one engine by delegating to `Uuid`'s.
macro_rules! as_uuid {
    ($db:ty) => {
        impl Type<$db> for UserId {
            fn type_info() -> <$db as Database>::TypeInfo {
                <Uuid as Type<$db>>::type_info()
            }

            fn compatible(ty: &<$db as Database>::TypeInfo) -> bool {
                <Uuid as Type<$db>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, $db> for UserId {
            fn encode_by_ref(
                &self,
                buf: &mut <$db as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <Uuid as Encode<'q, $db>>::encode_by_ref(&self.as_uuid(), buf)
            }
        }

        impl<'r> Decode<'r, $db> for UserId {
            fn decode(value: <$db as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                <Uuid as Decode<'r, $db>>::decode(value).map(UserId::from)
            }
        }
    };
}

as_uuid!(Sqlite);
as_uuid!(Postgres);
