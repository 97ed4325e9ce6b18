"""The leads page: find, sort and change many leads at once, saved views, exports."""
