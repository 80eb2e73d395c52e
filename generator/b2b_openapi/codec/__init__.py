"""JSON <-> XML: the converter, SOAP envelopes, WS-Security, attachments.

Used by build and runtime alike."""
