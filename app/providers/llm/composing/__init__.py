"""The embedded composer's machinery: reading the intent, writing each content type, fitting the silence."""
