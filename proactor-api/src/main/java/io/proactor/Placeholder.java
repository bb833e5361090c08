package io.proactor;
final class Placeholder {}
