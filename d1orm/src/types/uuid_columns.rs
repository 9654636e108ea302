//! `uuid`: `Uuid` as lowercase hyphenated TEXT, [`UuidBlob`] as a 16-byte BLOB.

use uuid::Uuid;

use crate::error::{DecodeError, Result};
use crate::table::ColumnType;
use crate::value::{Value, ValueRef};

/// A UUID stored as a 16-byte BLOB rather than text.
///
/// ```
/// use d1orm::{ColumnType, Value, types::{UuidBlob, uuid::Uuid}};
/// let id = UuidBlob(Uuid::from_u128(1));
/// assert_eq!(id.to_value().unwrap(), Value::Blob(Uuid::from_u128(1).as_bytes().to_vec()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UuidBlob(pub Uuid);

impl ColumnType for Uuid {
    const SQL_TYPE: &'static str = "TEXT";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(self.hyphenated().to_string()))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Text(s) => Uuid::parse_str(s)
                .map_err(|e| DecodeError::new(format!("{s:?} is not a UUID: {e}"))),
            other => Err(DecodeError::new(format!(
                "expected a UUID as text, found {} value",
                other.type_name()
            ))),
        }
    }
}

impl ColumnType for UuidBlob {
    const SQL_TYPE: &'static str = "BLOB";
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Blob(self.0.as_bytes().to_vec()))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        match value {
            ValueRef::Blob(b) => Uuid::from_slice(b)
                .map(UuidBlob)
                .map_err(|_| DecodeError::new(format!("a UUID is 16 bytes, found {}", b.len()))),
            other => Err(DecodeError::new(format!(
                "expected a UUID as a 16-byte blob, found {} value",
                other.type_name()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_blob_round_trip() {
        let u = Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let Value::Text(s) = u.to_value().unwrap() else {
            panic!()
        };
        assert_eq!(s, "01234567-89ab-cdef-0123-456789abcdef");
        assert_eq!(Uuid::from_value(ValueRef::Text(&s)).unwrap(), u);
        assert_eq!(
            Uuid::from_value(ValueRef::Text("0123456789ABCDEF0123456789ABCDEF")).unwrap(),
            u
        );
        assert!(Uuid::from_value(ValueRef::Text("nope")).is_err());
        let Value::Blob(b) = UuidBlob(u).to_value().unwrap() else {
            panic!()
        };
        assert_eq!(
            UuidBlob::from_value(ValueRef::Blob(&b)).unwrap(),
            UuidBlob(u)
        );
        assert!(UuidBlob::from_value(ValueRef::Blob(&b[..15])).is_err());
    }
}
